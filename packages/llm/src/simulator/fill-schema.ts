import { readAmount } from "./lead-facts";
import { isSchema, type JsonSchema } from "./response-format";

/** The fact a property asks for, by its name; undefined when the conversation did not give it. */
export type FactLookup = (property: string) => string | undefined;

type Context = {
  root: JsonSchema;
  lookup: FactLookup;
  depth: number;
  /** The `$ref`s we are inside; entering one again is recursion. The root is "#". */
  refs: string[];
};

/** One concrete type a property may take, with the `$ref`s followed to reach it. */
type Option = { node: JsonSchema; refs: string[] };

/** Deeper than any lead schema; only a recursive schema gets here, and it ends in null. */
const MAX_DEPTH = 16;

/**
 * A value satisfying `schema`, filled from facts matched to properties by
 * name. Unknown facts become null where the schema allows it, else the type's
 * empty value: "", 0 (within the bounds), false, [], the first enum value.
 */
export function fillSchema(schema: JsonSchema, lookup: FactLookup): unknown {
  return fillNode(schema, undefined, { root: schema, lookup, depth: 0, refs: ["#"] });
}

function fillNode(input: unknown, fact: string | undefined, ctx: Context): unknown {
  if (ctx.depth > MAX_DEPTH) return null;
  const { nullable, options } = listOptions(input, ctx.root, []);
  // A branch back into a $ref we are inside would nest forever; null or another branch ends it instead.
  const fresh = options.filter((o) => !o.refs.some((ref) => ctx.refs.includes(ref)));
  const usable = fresh.length > 0 ? fresh : nullable ? [] : options;
  const option = usable.find((o) => canHold(o.node, fact)) ?? usable[0];
  if (!option) return null;
  return fillOption(option.node, fact, nullable, { ...ctx, refs: [...ctx.refs, ...option.refs] });
}

/** Picks apart nullability: `type: ["string", "null"]`, `anyOf: [..., {type: "null"}]`, OpenAPI's `nullable`. */
function listOptions(input: unknown, root: JsonSchema, refs: string[]): { nullable: boolean; options: Option[] } {
  const { node, followed } = resolveRef(input, root);
  const path = [...refs, ...followed];
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : null;
  if (branches) {
    const listed = branches.map((branch: unknown) => listOptions(branch, root, path));
    return {
      nullable: node.nullable === true || listed.some((l) => l.nullable),
      options: listed.flatMap((l) => l.options),
    };
  }
  const types: unknown[] = Array.isArray(node.type) ? node.type : [node.type];
  const enumNull = Array.isArray(node.enum) && node.enum.includes(null);
  const nullable = node.nullable === true || types.includes("null") || enumNull;
  if (node.type === undefined) return { nullable, options: [{ node, refs: path }] };
  const concrete = types.filter((type) => type !== "null");
  return { nullable, options: concrete.map((type) => ({ node: { ...node, type }, refs: path })) };
}

function fillOption(node: JsonSchema, fact: string | undefined, nullable: boolean, ctx: Context): unknown {
  if ("const" in node) return node.const;
  if (Array.isArray(node.enum)) return pickEnumValue(node.enum, fact, nullable);
  switch (readKind(node)) {
    case "object":
      return fillObject(node, ctx);
    case "array":
      return fillArray(node, fact, ctx);
    case "string":
      return fact === undefined ? (nullable ? null : "") : fitString(fact, node);
    case "number":
    case "integer":
      return fillNumber(node, fact === undefined ? undefined : readAmount(fact), nullable);
    case "boolean":
      return nullable ? null : false;
    default:
      // No type at all: any JSON will do.
      return fact ?? null;
  }
}

function fillObject(node: JsonSchema, ctx: Context): Record<string, unknown> {
  const properties = isSchema(node.properties) ? node.properties : {};
  const required = new Set(Array.isArray(node.required) ? node.required : []);
  const inner = { ...ctx, depth: ctx.depth + 1 };
  const value: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(properties)) {
    const fact = ctx.lookup(key);
    // An optional property the visitor said nothing about is left out, as a model would.
    if (fact === undefined && !required.has(key)) continue;
    value[key] = fillNode(child, fact, inner);
  }
  return value;
}

function fillArray(node: JsonSchema, fact: string | undefined, ctx: Context): unknown[] {
  const inner = { ...ctx, depth: ctx.depth + 1 };
  const items = fact === undefined ? [] : [fillNode(node.items, fact, inner)];
  const minItems = readNumber(node.minItems) ?? 0;
  while (items.length < minItems) items.push(fillNode(node.items, undefined, inner));
  const maxItems = readNumber(node.maxItems);
  return maxItems === undefined ? items : items.slice(0, maxItems);
}

function fillNumber(node: JsonSchema, amount: number | undefined, nullable: boolean): number | null {
  if (amount === undefined && nullable) return null;
  let value = amount ?? 0;
  if (readKind(node) === "integer") value = Math.round(value);
  const minimum = readNumber(node.minimum);
  const maximum = readNumber(node.maximum);
  const above = readNumber(node.exclusiveMinimum);
  const below = readNumber(node.exclusiveMaximum);
  if (minimum !== undefined && value < minimum) value = minimum;
  if (above !== undefined && value <= above) value = above + 1;
  if (maximum !== undefined && value > maximum) value = maximum;
  if (below !== undefined && value >= below) value = below - 1;
  return value;
}

function pickEnumValue(values: unknown[], fact: string | undefined, nullable: boolean): unknown {
  const wanted = fact?.toLowerCase();
  const match = values.find((v) => typeof v === "string" && v.toLowerCase() === wanted);
  if (match !== undefined) return match;
  return nullable ? null : values.find((v) => v !== null) ?? null;
}

function fitString(text: string, node: JsonSchema): string {
  const maxLength = readNumber(node.maxLength);
  return maxLength === undefined ? text : text.slice(0, maxLength);
}

/** Whether an option can carry the fact as it is, so `string | number` takes "$20k" as the string. */
function canHold(node: JsonSchema, fact: string | undefined): boolean {
  if (fact === undefined) return true;
  if (Array.isArray(node.enum)) return node.enum.some((v) => typeof v === "string" && v.toLowerCase() === fact.toLowerCase());
  const kind = readKind(node);
  if (kind === "number" || kind === "integer") return readAmount(fact) !== undefined;
  return kind === "string" || kind === "array" || kind === undefined;
}

function readKind(node: JsonSchema): string | undefined {
  if (typeof node.type === "string") return node.type;
  if (isSchema(node.properties)) return "object";
  if (node.items !== undefined) return "array";
  return undefined;
}

/** Follows `$ref` ("#/$defs/Lead", "#"), keeping the referring node's own keywords. */
function resolveRef(input: unknown, root: JsonSchema): { node: JsonSchema; followed: string[] } {
  let node = isSchema(input) ? input : {};
  const followed: string[] = [];
  while (typeof node.$ref === "string" && !followed.includes(node.$ref)) {
    const { $ref, ...rest } = node;
    followed.push($ref);
    node = { ...readPointer(root, $ref), ...rest };
  }
  return { node, followed };
}

function readPointer(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith("#")) return {};
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter(Boolean)) {
    const key = decodePointerPart(raw);
    node = isSchema(node) ? node[key] : undefined;
  }
  return isSchema(node) ? node : {};
}

/** A fragment is URI-encoded (the SDK escapes definition names so) and then JSON-Pointer-escaped. */
function decodePointerPart(raw: string): string {
  let part = raw;
  try {
    part = decodeURIComponent(raw);
  } catch {
    // A stray "%" that is not an escape: take the name as written.
  }
  return part.replace(/~1/g, "/").replace(/~0/g, "~");
}

function readNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
