// Types of what a socket.js handler sees. Event shapes follow API Gateway v2 WebSocket Lambda proxy events.
export {};
