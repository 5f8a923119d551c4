// PostGraphile 5 as it ships (the amber preset), on changlang's tables as they are: no
// smart tags, no row-level security, no masking. DATABASE_URL and PORT come from the
// benchmark (bench/read_shapes.py), which starts this with `node server.mjs`.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL_SIZE || 10) },
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};
