import { z } from "zod";

const strategy = z.object({ id: z.string(), name: z.string(), parameters: z.record(z.string(), z.string()).optional().default({}) });
const feature = z.object({
  name: z.string(),
  description: z.string().nullish(),
  environments: z.array(z.object({ name: z.string(), enabled: z.boolean(), strategies: z.array(strategy).default([]) })),
});

export type FlagState = {
  name: string;
  enabled: boolean;
  /** 0–100: the share of sessions that get the flag when enabled. */
  rollout: number;
  stickiness: string;
};

export class UnleashAdminError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/**
 * Unleash's Admin API, for what Leadline does with it: create the pipeline
 * flags, read their state, change a rollout or switch one on or off. One
 * project and one environment (the backend token's).
 */
export function createUnleashAdmin(options: { url: string; token: string; project?: string; environment?: string; timeoutMs?: number }) {
  const project = options.project ?? "default";
  const environment = options.environment ?? "development";
  const base = `${options.url.replace(/\/$/, "")}/api/admin/projects/${project}/features`;

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: options.token, "content-type": "application/json", accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new UnleashAdminError(`Unleash is unreachable at ${options.url}: ${(error as Error).message}`, null);
    }
    const text = await response.text();
    if (!response.ok) throw new UnleashAdminError(`Unleash ${method} ${path || "/"} answered ${response.status}: ${text.slice(0, 200)}`, response.status);
    return text ? (JSON.parse(text) as unknown) : null;
  }

  async function readFeature(name: string) {
    try {
      return feature.parse(await call("GET", `/${encodeURIComponent(name)}`));
    } catch (error) {
      if (error instanceof UnleashAdminError && error.status === 404) return null;
      throw error;
    }
  }

  function stateOf(raw: z.infer<typeof feature>): FlagState {
    const env = raw.environments.find((e) => e.name === environment);
    const rollout = env?.strategies.find((s) => s.name === "flexibleRollout");
    return {
      name: raw.name,
      enabled: env?.enabled ?? false,
      rollout: rollout ? Number(rollout.parameters.rollout ?? 0) : env?.strategies.length ? 100 : 0,
      stickiness: rollout?.parameters.stickiness ?? "default",
    };
  }

  function strategyBody(name: string, rollout: number) {
    return { name: "flexibleRollout", constraints: [], parameters: { rollout: String(rollout), stickiness: "sessionId", groupId: name } };
  }

  return {
    environment,
    async getFlag(name: string): Promise<FlagState | null> {
      const raw = await readFeature(name);
      return raw ? stateOf(raw) : null;
    },

    /** Creates the flag with a sticky-by-session rollout unless it exists; never changes an existing one. */
    async ensureFlag(name: string, description: string, initial: { enabled: boolean; rollout: number }): Promise<"created" | "exists"> {
      const raw = await readFeature(name);
      if (raw && raw.environments.find((e) => e.name === environment)?.strategies.some((s) => s.name === "flexibleRollout")) return "exists";
      if (!raw) await call("POST", "", { name, type: "release", description, impressionData: false });
      await call("POST", `/${encodeURIComponent(name)}/environments/${environment}/strategies`, strategyBody(name, initial.rollout));
      await call("POST", `/${encodeURIComponent(name)}/environments/${environment}/${initial.enabled ? "on" : "off"}`);
      return raw ? "exists" : "created";
    },

    async setRollout(name: string, rollout: number): Promise<FlagState> {
      const raw = await readFeature(name);
      if (!raw) throw new UnleashAdminError(`flag ${name} does not exist in Unleash`, 404);
      const existing = raw.environments.find((e) => e.name === environment)?.strategies.find((s) => s.name === "flexibleRollout");
      if (existing) await call("PUT", `/${encodeURIComponent(name)}/environments/${environment}/strategies/${existing.id}`, strategyBody(name, rollout));
      else await call("POST", `/${encodeURIComponent(name)}/environments/${environment}/strategies`, strategyBody(name, rollout));
      return stateOf((await readFeature(name))!);
    },

    async setEnabled(name: string, enabled: boolean): Promise<FlagState> {
      await call("POST", `/${encodeURIComponent(name)}/environments/${environment}/${enabled ? "on" : "off"}`);
      const raw = await readFeature(name);
      if (!raw) throw new UnleashAdminError(`flag ${name} does not exist in Unleash`, 404);
      return stateOf(raw);
    },
  };
}

export type UnleashAdmin = ReturnType<typeof createUnleashAdmin>;
