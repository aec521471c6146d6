import { z } from "zod";

/** A JSON Schema as a client sent it: walked defensively, never trusted. */
export type JsonSchema = Record<string, unknown>;

const jsonSchema: z.ZodType<JsonSchema> = z.record(z.string(), z.unknown());

export const responseFormatSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      // OpenAI's rule for the name; the SDK does not check it, so a bad one first shows up as this 400.
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must match ^[a-zA-Z0-9_-]{1,64}$"),
      description: z.string().nullish(),
      schema: jsonSchema.nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export type ResponseFormat = z.infer<typeof responseFormatSchema>;

export type FormatProblem = { message: string; param: string };

/**
 * The checks OpenAI makes beyond the body's shape, with its wording, so that a
 * request the simulator accepts is one the real API accepts too.
 */
export function checkResponseFormat(format: ResponseFormat | null | undefined, texts: readonly string[]): FormatProblem | null {
  if (format?.type === "json_object" && !texts.some((text) => /json/i.test(text))) {
    const message = "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
    return { message, param: "messages" };
  }
  if (format?.type !== "json_schema" || format.json_schema.strict !== true) return null;
  const { name, schema } = format.json_schema;
  const problem = schema ? findStrictProblem(schema, []) : "a schema is required when strict is true.";
  return problem ? { message: `Invalid schema for response_format '${name}': ${problem}`, param: "response_format" } : null;
}

/**
 * Strict mode's two rules that hand-written schemas break most: every object
 * lists all its properties as required, and allows no others.
 */
function findStrictProblem(node: JsonSchema, path: string[]): string | null {
  if (path.length === 0 && node.type !== "object") {
    return `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(node.type)}"'.`;
  }
  const properties = isSchema(node.properties) ? node.properties : null;
  if (properties || isObjectType(node.type)) {
    if (node.additionalProperties !== false) {
      return `In context=${describeContext(path)}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    const missing = Object.keys(properties ?? {}).find((key) => !required.has(key));
    if (missing !== undefined) {
      return `In context=${describeContext(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    }
  }
  for (const [childPath, child] of listChildren(node, path)) {
    const problem = findStrictProblem(child, childPath);
    if (problem) return problem;
  }
  return null;
}

function listChildren(node: JsonSchema, path: string[]): Array<[string[], JsonSchema]> {
  const children: Array<[string[], JsonSchema]> = [];
  for (const keyword of ["properties", "$defs", "definitions"]) {
    const map = node[keyword];
    if (!isSchema(map)) continue;
    for (const [key, child] of Object.entries(map)) {
      if (isSchema(child)) children.push([[...path, keyword, key], child]);
    }
  }
  if (isSchema(node.items)) children.push([[...path, "items"], node.items]);
  if (Array.isArray(node.anyOf)) {
    node.anyOf.forEach((child: unknown, index) => {
      if (isSchema(child)) children.push([[...path, "anyOf", String(index)], child]);
    });
  }
  return children;
}

/** A Python tuple, as OpenAI prints it: (), ('items',), ('properties', 'lead'). */
function describeContext(path: string[]): string {
  const quoted = path.map((part) => `'${part}'`);
  return quoted.length === 1 ? `(${quoted[0]},)` : `(${quoted.join(", ")})`;
}

function isObjectType(type: unknown): boolean {
  return type === "object" || (Array.isArray(type) && type.includes("object"));
}

export function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
