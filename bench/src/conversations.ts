/**
 * What the virtual visitors say: short lead-qualification conversations
 * (greetings, questions, contact details, budgets, timelines). Each virtual
 * user walks through one, then starts a new session with the next.
 */
import type { DirectTurn } from "./clients";

const CONVERSATIONS: readonly (readonly string[])[] = [
  ["Hi there!", "I'm looking for a chat tool for our sales team", "I'm Jane Cooper from Acme Corp", "You can reach me at jane.cooper@acme.io", "Our budget is around $20k per year", "We'd like to go live next quarter"],
  ["Hello, how does your pricing work?", "We have about 40 sales reps", "My name is Omar Haddad", "omar@globex.com", "We work with Globex", "about 50k, ideally within 6 weeks"],
  ["hey", "Do you integrate with Salesforce?", "This is Mei Lin from Initech", "mei.lin@initech.dev", "Budget of $8,000", "ASAP really"],
  ["Good morning", "Can I get a demo?", "I'm Lars Berg", "lars.berg@northwind.example", "The company is called Northwind", "Q3 2025", "What does onboarding look like?"],
  ["Hi, quick question about data retention", "Is everything stored in the EU?", "Call me Priya", "priya@umbrella.example", "We represent Umbrella Health", "€15k", "within 3 months"],
];

/** The D variant's system prompt: about the demo site's, so prompt sizes are alike. */
const SYSTEM_PROMPT =
  "You are the friendly sales assistant on Demo's website. Answer briefly. Learn the visitor's name, work email, company, budget and timeline, one question at a time, and never invent facts about pricing you were not given.";

/** One visitor's conversation: the texts to send and, for D, the turns so far. */
export class Conversation {
  private position = 0;
  private readonly turns: DirectTurn[] = [];
  /** The server session, once started; null means "start one before the next server message". */
  sessionToken: string | null = null;

  constructor(private script: number) {}

  /** The next text; moves on to a fresh conversation (and session) after the last one. */
  nextText(): string {
    let texts = CONVERSATIONS[this.script % CONVERSATIONS.length] as readonly string[];
    if (this.position >= texts.length) {
      this.script += 1;
      this.position = 0;
      this.turns.length = 0;
      this.sessionToken = null;
      texts = CONVERSATIONS[this.script % CONVERSATIONS.length] as readonly string[];
    }
    return texts[this.position++] as string;
  }

  /** The messages D sends for `text`: system prompt, the last few turns, the new one. */
  directMessages(text: string): DirectTurn[] {
    return [{ role: "system", content: SYSTEM_PROMPT }, ...this.turns.slice(-10), { role: "user", content: text }];
  }

  remember(text: string, reply: string) {
    this.turns.push({ role: "user", content: text }, { role: "assistant", content: reply });
  }
}
