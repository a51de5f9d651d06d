// Chat rooms with presence, on the stage's connection registry (serverless.yml: `connections: registry`): rooms and
// names live in the registry, not in module memory, so every Lambda execution environment sees the same rooms, at
// any concurrency.
//   ws://.../dev?name=ada                                  connects as "ada"
//   {"route":"join","data":{"room":"lobby"}}              joins a room (leaving the one you were in)
//   {"route":"say","data":{"text":"hello"}}               sends to everyone in your room
//   {"route":"who"}                                       lists who is in your room
// A member whose connection vanished without a $disconnect is pruned by the next send to its room (410 Gone), and the
// registry forgets it after API Gateway's 2-hour maximum connection time in any case.

on('connect', async ({ query }, socket) => {
  const name = typeof query.name === 'string' ? query.name.trim().slice(0, 40) : ''
  if (!name) return 400 // ws://.../dev?name=you
  await socket.set({ name })
  return 200
})

/** The one room a connection of this app is in, if any. */
async function roomOf(socket) {
  const [room] = await socket.rooms()
  return room
}

on('join', async (data, socket) => {
  const room = typeof data?.room === 'string' ? data.room.trim() : ''
  if (!room || room.length > 128) {
    await socket.send({ type: 'error', message: 'join needs {"room": "..."} (1 to 128 characters)' })
    return
  }
  const { name } = await socket.get()
  const previous = await roomOf(socket)
  if (previous === room) return
  if (previous) {
    await socket.leave(previous)
    await socket.to(previous).send({ type: 'left', room: previous, name })
  }
  await socket.join(room)
  await socket.to(room).send({ type: 'joined', room, name })
  const members = await socket.members(room)
  await socket.send({ type: 'welcome', room, members: members.map((m) => m.name) })
})

on('say', async (data, socket) => {
  const room = await roomOf(socket)
  if (room === undefined) {
    await socket.send({ type: 'error', message: 'join a room first: {"route":"join","data":{"room":"lobby"}}' })
    return
  }
  const { name } = await socket.get()
  const gone = await socket.to(room).send({ type: 'message', room, from: name, text: String(data?.text ?? '') })
  if (gone.length > 0) console.log(`pruned ${gone.length} gone connection(s) from ${room}`)
})

on('who', async (data, socket) => {
  const room = await roomOf(socket)
  const members = room === undefined ? [] : await socket.members(room)
  await socket.send({ type: 'members', room, members: members.map((m) => m.name) })
})

on('disconnect', async (data, socket) => {
  // The registry removes this connection from its rooms after this handler: tell them first.
  const room = await roomOf(socket)
  if (room !== undefined) await socket.to(room).send({ type: 'left', room, name: (await socket.get()).name })
})

on('default', async (data, socket) => {
  await socket.send({ type: 'error', message: 'send {"route":"join",...}, {"route":"say",...} or {"route":"who"}' })
})
