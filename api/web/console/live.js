// Live answers from the server: a GraphQL subscription over graphql-transport-ws, with the
// console's bearer token in connection_init (the residents' page does the same in
// ../client.js). It reconnects after a dropped connection and resubscribes, so a tally on
// a screen in the meeting room catches up after the Wi-Fi comes back.
import { accessToken } from "./api.js";

export function subscribe(query, variables, onData, onError) {
  let socket = null;
  let stopped = false;
  let retry = 0;

  async function open() {
    const token = await accessToken();
    if (stopped) return;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    socket = new WebSocket(url, "graphql-transport-ws");
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        retry = 0;
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      } else if (message.type === "next" && message.payload.data) {
        onData(message.payload.data);
      } else if ((message.type === "next" || message.type === "error") && onError) {
        const errors = message.payload.errors || message.payload;
        onError((errors[0] && errors[0].message) || "实时数据没有正常应答。");
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    };
    socket.onclose = () => {
      if (stopped) return;
      retry = Math.min(retry + 1, 6);
      setTimeout(open, 500 * 2 ** retry);
    };
  }

  open();
  return () => {
    stopped = true;
    if (socket && socket.readyState <= 1) {
      if (socket.readyState === 1) socket.send(JSON.stringify({ id: "1", type: "complete" }));
      socket.close(1000);
    }
  };
}
