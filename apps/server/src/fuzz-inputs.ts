/**
 * Inputs for the HTTP fuzz test (fuzz.test.ts): valid-looking ones derived
 * from each procedure's own zod schema (so a new procedure is covered without
 * anyone writing its generator), the same with one field broken, and hostile
 * values of every kind.
 */
import fc from "fast-check";
import { z } from "zod";

type JsonSchema = {
  type?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  maxItems?: number;
};

/**
 * Values that make an input realistic, by field name: a live session token,
 * a real message or site id, a well-formed cursor. Offered most of the time in
 * place of what the schema alone would generate (a random token is refused at
 * the door and tests nothing behind it).
 */
export type KnownValues = Record<string, readonly unknown[]>;

/** One schema for a procedure's inputs, merged as tRPC merges them (the visitor base and the router's own). */
export function inputSchemaOf(inputs: readonly z.ZodType[]): JsonSchema | null {
  if (inputs.length === 0) return null;
  const schemas = inputs.map((input) => z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as JsonSchema);
  if (schemas.length === 1) return schemas[0]!;
  return {
    type: "object",
    properties: Object.assign({}, ...schemas.map((s) => s.properties ?? {})),
    required: [...new Set(schemas.flatMap((s) => s.required ?? []))],
  };
}

/** Inputs the schema accepts, or nearly: the patterns and bounds are the schema's own. */
export function validLooking(schema: JsonSchema, known: KnownValues, field = ""): fc.Arbitrary<unknown> {
  const fromSchema = generate(schema, known);
  const values = known[field];
  return values?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fromSchema }) : fromSchema;
}

function generate(schema: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((c) => generate(c, known)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case "object": {
      const props = Object.entries(schema.properties ?? {});
      const model = Object.fromEntries(props.map(([key, s]) => [key, validLooking(s, known, key)]));
      return fc.record(model, { requiredKeys: schema.required ?? [] });
    }
    case "array":
      return fc.array(schema.items ? generate(schema.items, known) : fc.jsonValue(), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case "string":
      return stringFor(schema);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
    case "number":
      return fc.double({ min: schema.exclusiveMinimum ?? schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000, noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === "uuid") return fc.uuid();
  if (schema.format === "date") {
    const recent = fc.date({ min: new Date("2020-01-01"), max: new Date("2030-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    // Real dates the format allows but a database or a report may not.
    return fc.oneof({ weight: 3, arbitrary: recent }, { weight: 1, arbitrary: fc.constantFrom("0000-01-01", "0001-01-01", "1969-12-31", "9999-12-31", "2000-02-29") });
  }
  if (schema.format === "email") return fc.emailAddress();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const text = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 200, 200), unit: "grapheme" });
  return fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: text.chain(withOddCharacter) });
}

const CONTROL = ["\u0000", "\u0001", "\u0007", "\u0008", "\u000b", "\u001b", "\u007f", "\u0085", "\u009f"];
const ODD_UNICODE = ["\ud800", "\udfff", "\u202eevil", "\u200b\u200d", "\ufeff", "\u2028\u2029", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "👨‍👩‍👧‍👦", "𝕳𝖊𝖑𝖑𝖔", "𠜎", "ﷺ", "\ud83d", "%00", "\\u0000", "'; drop table chat_messages; --", "${7*7}", "<script>"];
const ODD_DATES = ["0000-01-01", "-000001-01-01", "9999-12-31", "2023-02-29", "2025-13-45", "2025-01-01T24:00:00Z", "1970-01-01", "+275760-09-13"];
const b64 = (text: string) => Buffer.from(text).toString("base64url");

/** Anything but what a field wants. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...CONTROL, ...ODD_UNICODE), fc.string({ maxLength: 20 })).map(([a, b, c]) => a + b + c),
  fc.string({ maxLength: 40, unit: "binary" }),
  // Long strings, built rather than generated character by character: generating a megabyte is slow.
  fc.tuple(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(101, 1_001, 4_001, 10_000) }, { weight: 1, arbitrary: fc.constantFrom(100_001, 300_000) }), fc.constantFrom("a", "é", "😀", "\u0000", "<>")).map(
    ([n, unit]) => unit.repeat(n),
  ),
  fc.constantFrom(...ODD_DATES),
  fc.tuple(fc.constantFrom(...ODD_DATES), fc.uuid()).map(([at, id]) => b64(`${at}T00:00:00.000000Z|${id}`)),
  fc.tuple(fc.constantFrom(...ODD_DATES), fc.constantFrom("user", "assistant", "system", ""), fc.uuid()).map(([at, role, id]) => b64(`${at}T00:00:00.000000Z|${role}|${id}`)),
  fc.constantFrom(-1, 0, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, 1e-300, 101, 1_000_000_000),
  fc.constantFrom(null, true, false, "", [], {}, "null", "undefined", "NaN"),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')),
  fc.constant(JSON.parse(`${"[".repeat(500)}${"]".repeat(500)}`)),
  fc.jsonValue({ maxDepth: 3 }),
);

/**
 * The text with one odd character slipped in: still looks right, passes a
 * length check. NUL most often: the one character Postgres refuses in text.
 */
function withOddCharacter(text: string): fc.Arbitrary<string> {
  const odd = fc.oneof({ weight: 2, arbitrary: fc.constant("\u0000") }, { weight: 2, arbitrary: fc.constantFrom(...CONTROL, ...ODD_UNICODE.slice(0, 8)) });
  return fc.tuple(fc.nat(text.length), odd).map(([at, char]) => text.slice(0, at) + char + text.slice(at));
}

/** The input with one field, at any depth, left out, replaced by a hostile value, or (text) with an odd character in it. */
export function breakOneField(input: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(input);
  if (paths.length === 0) return hostileValue;
  return fc.constantFrom(...paths).chain((path) => {
    const current = valueAt(input, path);
    const broken = typeof current === "string" ? fc.oneof(withOddCharacter(current), hostileValue) : hostileValue;
    return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: broken }).map((value) => replaceAt(input, path, value));
  });
}

const valueAt = (value: unknown, path: string[]): unknown => path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);

function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

function replaceAt(value: unknown, path: string[], replacement: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined || value === null || typeof value !== "object") return replacement;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && replacement === undefined) delete copy[key];
  else copy[key] = replaceAt(copy[key], rest, replacement);
  return copy;
}
