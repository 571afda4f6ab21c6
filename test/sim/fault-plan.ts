/**
 * What goes wrong, and when, during a seed's fault phase: webhook drops, duplicates and
 * delays (WebhookNet), GitHub 5xx answers and secondary rate limits (the emulator's admin
 * API), agent SIGKILLs with a restart later, socket flaps, and Durable Object restarts
 * (eviction or deploy) of a RepoQueue or the supervisor. People edit the board meanwhile.
 * `calmDown` ends it all: faults off, dead agents back, one forced reconcile.
 */
import type { SimWorld } from "./sim-world.ts";

const MINUTE = 60_000;

type Fault = "github_5xx" | "secondary_limit" | "sigkill" | "flap" | "restart_repo" | "restart_supervisor";

async function admin(world: SimWorld, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${world.emulator.url}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.text();
  if (!response.ok) throw new Error(`emulator ${path} answered ${response.status}`);
}

async function inject(world: SimWorld, fault: Fault): Promise<void> {
  const { ctx } = world;
  const rng = ctx.rng.faults;
  switch (fault) {
    case "github_5xx": {
      const body = {
        requests: rng.int(1, 4),
        status: rng.pick([500, 502, 503, 504] as const),
        resource: rng.pick(["graphql", "graphql", "any"] as const),
        afterWrite: rng.chance(0.3),
      };
      ctx.log.add("fault", { fault, ...body });
      return admin(world, "server-errors", body);
    }
    case "secondary_limit": {
      const secondary = {
        requests: rng.int(1, 3),
        retryAfterSeconds: rng.int(1, 90),
        status: rng.pick([403, 429] as const),
      };
      ctx.log.add("fault", { fault, ...secondary });
      return admin(world, "rate-limit", { secondary });
    }
    case "sigkill": {
      const alive = world.agents.filter((agent) => agent.alive);
      if (alive.length === 0) return;
      const agent = rng.pick(alive);
      const downMs = rng.int(5_000, 25 * MINUTE);
      ctx.log.add("fault", { fault, agent: agent.id, downMs });
      agent.kill();
      ctx.scheduler.after(downMs, `restart ${agent.id}`, () => {
        if (!agent.alive) agent.start();
      });
      return;
    }
    case "flap": {
      const alive = world.agents.filter((agent) => agent.alive);
      if (alive.length === 0) return;
      const agent = rng.pick(alive);
      ctx.log.add("fault", { fault, agent: agent.id });
      agent.flap();
      return;
    }
    case "restart_repo": {
      const queue = rng.pick([...world.queues.values()]);
      const kind = rng.pick(["eviction", "deploy"] as const);
      ctx.log.add("fault", { fault, repo: queue.repo, kind });
      const dead = queue.life.owner;
      queue.restart(kind);
      await ctx.scheduler.dropRequestsOf(dead, rng);
      return;
    }
    case "restart_supervisor": {
      ctx.log.add("fault", { fault });
      const dead = world.supervisor.life.owner;
      world.supervisor.restart();
      await ctx.scheduler.dropRequestsOf(dead, rng);
      return;
    }
  }
}

/** Faults and people's edits at seeded moments in [from, to). */
export function planFaults(world: SimWorld, from: number, to: number): void {
  const { scheduler, rng } = world.ctx;
  world.net.faults = { drop: 0.12, duplicate: 0.12, maxDelayMs: 30_000 };
  const weights: Record<Fault, number> = {
    github_5xx: 4,
    secondary_limit: 2,
    sigkill: 2,
    flap: 3,
    restart_repo: 3,
    restart_supervisor: 1,
  };
  for (
    let at = from + rng.faults.int(MINUTE, 8 * MINUTE);
    at < to;
    at += rng.faults.int(MINUTE, 8 * MINUTE)
  ) {
    const fault = rng.faults.weighted(weights);
    scheduler.at(at, `fault ${fault}`, () => inject(world, fault));
  }
  for (
    let at = from + rng.people.int(MINUTE, 5 * MINUTE);
    at < to;
    at += rng.people.int(MINUTE, 6 * MINUTE)
  ) {
    scheduler.at(at, "person", async () => {
      const did = await world.people.act();
      if (did === null) world.ctx.log.add("person_idle");
    });
  }
}

/** The fault phase is over: no more faults, every agent back up, and the backstop runs once. */
export async function calmDown(world: SimWorld): Promise<void> {
  const { ctx } = world;
  world.calm = true;
  ctx.log.add("calm");
  await admin(world, "server-errors", { requests: 0 });
  await admin(world, "rate-limit", { secondary: { requests: 0 } });
  for (const agent of world.agents) if (!agent.alive) agent.start();
  ctx.track(
    world.supervisor.call((core) => core.reconcile({ force: true })),
    null,
    "calm reconcile",
  );
}
