/**
 * The admin API's JSON body check: zod through @hono/zod-validator, refusing with the house
 * error body (`{ error, issues }`, 400) and naming each bad key. Used by the admin routes.
 */
import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";

export function body<T extends z.ZodType>(schema: T) {
  return zValidator("json", schema, (result, c) => {
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
      return c.json({ error: `Invalid request body: ${issues.join("; ")}`, issues }, 400);
    }
  });
}
