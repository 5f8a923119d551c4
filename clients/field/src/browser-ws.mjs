// The wrapper (../rxdb/src/session.mjs) imports Node's `ws`; in the browser the bundle maps
// that import here, to the built-in WebSocket.
export const WebSocket = globalThis.WebSocket;
export default WebSocket;
