export * from "./contact";
export * from "./signals";
export { extractEntities, MAX_MESSAGES_READ } from "./extract";
export type { ChatMessage, ExtractOptions, Extraction, FieldName } from "./extract";
export { scoreLead, decideStatus, WEIGHTS } from "./score";
export type { LeadScore, LeadStatus, ScoreInput } from "./score";
export { classifyMessage } from "./complexity";
export type { Complexity, MessageContext } from "./complexity";
export { MAX_MESSAGE_CHARS } from "./text";
