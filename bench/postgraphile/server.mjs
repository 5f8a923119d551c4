// One PostGraphile process on 127.0.0.1:PORT, as its documentation serves it with Node's
// own HTTP server (grafserv's node adaptor).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
serv.addTo(server).then(
  () => server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready")),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
