// The seed's socket.js: every handler receives (data, socket).

// Runs on new connections; a non-2xx status rejects the connection.
on('connect', async (data, socket) => {
  const { id, domain, stage } = socket
  console.log(`connected ${id} via ${domain}/${stage}`)
  return 200
})

// Runs when a client disconnects (best effort: API Gateway does not guarantee it).
on('disconnect', async (data, socket) => {
  console.log(`disconnected ${socket.id} (${data.statusCode})`)
})

// Frames like {"route": "message", "data": {"foo": "bar"}} arrive here with data = {"foo": "bar"}.
on('message', async (data, socket) => {
  await socket.send(data)
})

// Every other frame: JSON is parsed, anything else arrives as text.
on('default', async (data, socket) => {
  await socket.send(data)
})
