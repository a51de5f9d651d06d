// Chat rooms with broadcast.
//   {"route":"join","data":{"room":"lobby","name":"ada"}}   joins a room (leaving the previous one)
//   {"route":"say","data":{"text":"hello"}}                  sends to everyone in your room
//
// Membership lives in module memory, which is per Lambda execution environment: right while one environment serves
// all traffic (reserved concurrency 1, or `socket-action dev --concurrency 1`). Lambda starts more environments when
// events overlap, and so does `dev`; then membership needs a table (e.g. DynamoDB keyed by room, with `policy`
// granting access), and the handlers stay the same. Either way, ids can go stale ($disconnect is best effort), so
// every broadcast prunes the connections API Gateway reports as gone.

const rooms = new Map() // room -> Map(connectionId -> name)
const roomOf = new Map() // connectionId -> room

function leave(connectionId) {
  const room = roomOf.get(connectionId)
  if (room === undefined) return undefined
  roomOf.delete(connectionId)
  const members = rooms.get(room)
  const name = members.get(connectionId)
  members.delete(connectionId)
  if (members.size === 0) rooms.delete(room)
  return { room, name }
}

async function tell(socket, room, message) {
  const members = rooms.get(room)
  if (!members) return []
  const gone = await socket.broadcast(message, members.keys())
  for (const id of gone) leave(id)
  return gone
}

on('join', async (data, socket) => {
  const room = typeof data?.room === 'string' ? data.room.trim() : ''
  const name = typeof data?.name === 'string' ? data.name.trim() : ''
  if (!room || !name) {
    await socket.send({ type: 'error', message: 'join needs {"room": "...", "name": "..."}' })
    return
  }
  const previous = leave(socket.id)
  if (previous) await tell(socket, previous.room, { type: 'left', room: previous.room, name: previous.name })
  if (!rooms.has(room)) rooms.set(room, new Map())
  await tell(socket, room, { type: 'joined', room, name })
  rooms.get(room).set(socket.id, name)
  roomOf.set(socket.id, room)
  await socket.send({ type: 'welcome', room, members: [...rooms.get(room).values()] })
})

on('say', async (data, socket) => {
  const room = roomOf.get(socket.id)
  if (room === undefined) {
    await socket.send({ type: 'error', message: 'join a room first: {"route":"join","data":{"room":"lobby","name":"you"}}' })
    return
  }
  const from = rooms.get(room).get(socket.id)
  const gone = await tell(socket, room, { type: 'message', room, from, text: String(data?.text ?? '') })
  if (gone.length > 0) console.log(`pruned ${gone.length} gone connection(s) from ${room}`)
})

on('disconnect', async (data, socket) => {
  const left = leave(socket.id)
  if (left) await tell(socket, left.room, { type: 'left', room: left.room, name: left.name })
})

on('default', async (data, socket) => {
  await socket.send({ type: 'error', message: 'send {"route":"join",...} or {"route":"say",...}' })
})
