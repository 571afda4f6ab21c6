import { describe, expect, it } from "vitest";
import { nextCursor, undelivered, type HookDelivery } from "../../worker/board/hook-deliveries.ts";

function attempt(id: number, guid: string, statusCode: number): HookDelivery {
  return {
    id,
    guid,
    delivered_at: new Date(Date.UTC(2026, 4, 1, 12, 0, id)).toISOString(),
    redelivery: id > 1,
    status: statusCode === 202 ? "OK" : "Invalid HTTP Response: 503",
    status_code: statusCode,
    event: "issues",
    action: "closed",
  };
}

describe("which deliveries to redeliver", () => {
  it("skips a guid that any attempt delivered", () => {
    expect(undelivered([attempt(1, "a", 503), attempt(2, "a", 202)])).toEqual([]);
  });

  it("takes the newest attempt of a guid that never got through, oldest guid first", () => {
    const result = undelivered([attempt(5, "b", 0), attempt(3, "a", 503), attempt(4, "a", 500)]);
    expect(result.map((d) => [d.guid, d.id])).toEqual([
      ["a", 4],
      ["b", 5],
    ]);
  });

  it("reads the next page's cursor from GitHub's link header", () => {
    const link =
      '<https://api.github.com/orgs/acme/hooks/1/deliveries?per_page=100&cursor=v1_123>; rel="next", <https://api.github.com/orgs/acme/hooks/1/deliveries?per_page=100>; rel="first"';
    expect(nextCursor(link)).toBe("v1_123");
    expect(nextCursor(null)).toBeNull();
  });
});
