import { graphql as octokitGraphql, GraphqlResponseError } from "@octokit/graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ tokens: ["ghs_emulator"] });
});
afterAll(async () => {
  await emulator.close();
});

describe("@octokit/graphql against the emulator", () => {
  it("reads a project through a client whose baseUrl is the emulator", async () => {
    const client = octokitGraphql.defaults({
      baseUrl: emulator.url,
      headers: { authorization: "token ghs_emulator" },
    });
    const result: unknown = await client(
      `query($org: String!) { organization(login: $org) { projectV2(number: 1) { field(name: "Status") {
        ... on ProjectV2SingleSelectField { options { name } } } } } }`,
      { org: "phoenix-agentic" },
    );
    expect(result).toEqual({
      organization: {
        projectV2: {
          field: {
            options: ["Triage", "Backlog", "Ready", "In Progress", "QA Required", "In Review", "Done"].map(
              (name) => ({
                name,
              }),
            ),
          },
        },
      },
    });
  });

  it("surfaces GitHub-style errors as GraphqlResponseError", async () => {
    const client = octokitGraphql.defaults({
      baseUrl: emulator.url,
      headers: { authorization: "token ghs_emulator" },
    });
    const failure = await client(
      `{ organization(login: "phoenix-agentic") { projectV2(number: 1) { items { totalCount } } } }`,
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GraphqlResponseError);
  });

  it("refuses a token it was not given", async () => {
    const client = octokitGraphql.defaults({
      baseUrl: emulator.url,
      headers: { authorization: "token wrong" },
    });
    await expect(client("{ viewer { login } }")).rejects.toMatchObject({ status: 401 });
  });
});
