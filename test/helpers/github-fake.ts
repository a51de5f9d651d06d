// A local stand-in for GitHub: the REST calls socket-action makes (documented request and response shapes) and the
// Actions OIDC token endpoint, issuing RS256-signed JWTs. It records every request for assertions.
import { generateKeyPairSync, sign } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeComment {
  id: number
  body: string
  user: { login: string; type: 'Bot' | 'User' }
  issue: number
}

export interface RecordedRequest {
  method: string
  path: string
  body?: any
  authorization?: string
  /** The status answered (set when the answer is sent). */
  status?: number
}

export interface FakeGitHub {
  url: string
  /** ACTIONS_ID_TOKEN_REQUEST_URL (it already has a query, as the runner's does). */
  oidcUrl: string
  oidcToken: string
  repo: string
  comments: FakeComment[]
  pulls: Map<number, 'open' | 'closed'>
  deployments: Array<{
    id: number
    environment: string
    ref: string
    statuses: Array<{ state: string; environment_url?: string }>
  }>
  requests: RecordedRequest[]
  /** Writes (POST/PATCH/PUT/DELETE) to the REST API. */
  writes(): RecordedRequest[]
  /** Requests GitHub answered with a 4xx or 5xx: each one is a call GitHub would refuse. */
  refused(): RecordedRequest[]
  close(): Promise<void>
}

const BOT = { login: 'github-actions[bot]', type: 'Bot' as const }

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body))
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString()
  return text ? JSON.parse(text) : undefined
}

export async function startFakeGitHub(repo = 'octo/sockets'): Promise<FakeGitHub> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const oidcToken = 'runtime-token-for-oidc'
  let nextId = 1000
  const state: Omit<FakeGitHub, 'url' | 'oidcUrl' | 'close' | 'writes' | 'refused'> = {
    oidcToken,
    repo,
    comments: [],
    pulls: new Map(),
    deployments: [],
    requests: [],
  }

  const jwt = (audience: string) => {
    const now = Math.floor(Date.now() / 1000)
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const head = enc({ alg: 'RS256', typ: 'JWT', kid: 'fake' })
    const body = enc({
      iss: 'https://token.actions.githubusercontent.com',
      aud: audience,
      sub: `repo:${repo}:pull_request`,
      repository: repo,
      iat: now,
      nbf: now,
      exp: now + 300,
    })
    return `${head}.${body}.${sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url')}`
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local')
    const body = req.method === 'GET' ? undefined : await readJson(req)
    const recorded: RecordedRequest = {
      method: req.method!,
      path: url.pathname + url.search,
      body,
      authorization: req.headers.authorization,
    }
    state.requests.push(recorded)
    res.on('finish', () => {
      recorded.status = res.statusCode
    })
    const p = url.pathname

    if (p === '/_oidc/token') {
      if (req.headers.authorization !== `Bearer ${oidcToken}`) return json(res, 401, { message: 'Bad credentials' })
      return json(res, 200, { value: jwt(url.searchParams.get('audience') ?? 'https://github.com/octo') })
    }
    // GraphQL (POST /graphql): `viewer` is the token's own actor, which installation tokens may read (the Actions
    // GITHUB_TOKEN is the github-actions app's); other queries are not modelled, and answered as GitHub answers a
    // field that does not exist.
    if (p === '/graphql' && req.method === 'POST') {
      const query = String(body?.query ?? '')
      if (/^\s*(query\s*\w*\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query))
        return json(res, 200, { data: { viewer: { login: BOT.login } } })
      return json(res, 200, { errors: [{ message: `the fake models only viewer { login }, not: ${query}` }] })
    }
    // GET /user needs a user token: GitHub refuses installation tokens such as GITHUB_TOKEN.
    if (p === '/user')
      return json(res, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
      })

    const prefix = `/repos/${repo}`
    if (!p.startsWith(prefix)) return json(res, 404, { message: 'Not Found' })
    const rest = p.slice(prefix.length)
    const issueComments = /^\/issues\/(\d+)\/comments$/.exec(rest)
    if (issueComments) {
      const issue = Number(issueComments[1])
      if (req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30)
        const page = Number(url.searchParams.get('page') ?? 1)
        const all = state.comments.filter((c) => c.issue === issue)
        const slice = all.slice((page - 1) * perPage, page * perPage)
        const last = Math.max(1, Math.ceil(all.length / perPage))
        const link: Record<string, string> =
          page < last
            ? {
                link: `<http://${req.headers.host}${p}?per_page=${perPage}&page=${page + 1}>; rel="next", <http://${req.headers.host}${p}?per_page=${perPage}&page=${last}>; rel="last"`,
              }
            : {}
        return json(
          res,
          200,
          slice.map((c) => ({ id: c.id, body: c.body, user: c.user })),
          link,
        )
      }
      if (req.method === 'POST') {
        const comment = { id: nextId++, body: body.body, user: BOT, issue }
        state.comments.push(comment)
        return json(res, 201, { id: comment.id, body: comment.body, user: comment.user })
      }
    }
    const commentPath = /^\/issues\/comments\/(\d+)$/.exec(rest)
    if (commentPath && req.method === 'PATCH') {
      const comment = state.comments.find((c) => c.id === Number(commentPath[1]))
      if (!comment) return json(res, 404, { message: 'Not Found' })
      if (comment.user.login !== BOT.login) return json(res, 403, { message: 'Resource not accessible by integration' })
      comment.body = body.body
      return json(res, 200, { id: comment.id, body: comment.body, user: comment.user })
    }
    const pull = /^\/pulls\/(\d+)$/.exec(rest)
    if (pull && req.method === 'GET') {
      const s = state.pulls.get(Number(pull[1]))
      return s ? json(res, 200, { number: Number(pull[1]), state: s }) : json(res, 404, { message: 'Not Found' })
    }
    if (rest === '/deployments' && req.method === 'POST') {
      const d = { id: nextId++, environment: body.environment, ref: body.ref, statuses: [] }
      state.deployments.push(d)
      return json(res, 201, { id: d.id, environment: d.environment, ref: d.ref })
    }
    if (rest === '/deployments' && req.method === 'GET') {
      const env = url.searchParams.get('environment')
      return json(
        res,
        200,
        state.deployments
          .filter((d) => !env || d.environment === env)
          .map((d) => ({ id: d.id, environment: d.environment, ref: d.ref })),
      )
    }
    const statuses = /^\/deployments\/(\d+)\/statuses$/.exec(rest)
    if (statuses && req.method === 'POST') {
      const d = state.deployments.find((x) => x.id === Number(statuses[1]))
      if (!d) return json(res, 404, { message: 'Not Found' })
      d.statuses.push({ state: body.state, environment_url: body.environment_url })
      return json(res, 201, { id: nextId++, state: body.state })
    }
    return json(res, 404, { message: 'Not Found' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(state, {
    url,
    oidcUrl: `${url}/_oidc/token?api-version=2.0`,
    writes: () =>
      state.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/_oidc') && r.path !== '/graphql'),
    refused: () => state.requests.filter((r) => (r.status ?? 0) >= 400),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}
