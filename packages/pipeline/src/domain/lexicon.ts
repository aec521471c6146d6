// Capitalised words that follow "I'm", "at" or "from" in sales chats without being a person or a
// company. Lists, not grammar: they stay small, readable and cheap.

export const CALENDAR_WORDS: ReadonlySet<string> = new Set([
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
  "january", "february", "march", "april", "may", "june", "july", "august", "september",
  "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
  "sept", "oct", "nov", "dec", "today", "tomorrow", "tonight", "yesterday", "noon", "midnight",
  "christmas", "easter", "q1", "q2", "q3", "q4", "asap", "eod", "eow", "eoy", "weekend",
]);

export const PLACE_WORDS: ReadonlySet<string> = new Set([
  "us", "usa", "uk", "eu", "europe", "america", "asia", "africa", "australia", "canada",
  "mexico", "brazil", "germany", "france", "spain", "italy", "portugal", "ireland", "england",
  "scotland", "wales", "india", "china", "japan", "korea", "singapore", "netherlands", "holland",
  "belgium", "switzerland", "austria", "sweden", "norway", "denmark", "finland", "poland",
  "israel", "dubai", "london", "paris", "berlin", "munich", "madrid", "barcelona", "rome",
  "milan", "amsterdam", "dublin", "new", "san", "los", "las", "chicago", "boston", "seattle",
  "austin", "denver", "miami", "atlanta", "toronto", "vancouver", "montreal", "sydney",
  "melbourne", "tokyo", "bangalore", "mumbai", "delhi", "home", "work", "office",
  "latam", "emea", "apac", "california", "texas", "florida", "york", "silicon", "valley",
]);

/** Words a visitor writes after "I'm" that describe a state, not a name. */
export const NOT_NAME_WORDS: ReadonlySet<string> = new Set([
  "a", "an", "the", "not", "just", "here", "so", "very", "really", "also", "still", "only",
  "interested", "looking", "trying", "wondering", "curious", "hoping", "planning", "going",
  "ready", "calling", "writing", "reaching", "glad", "happy", "sorry", "fine", "good", "great",
  "ok", "okay", "sure", "new", "back", "based", "located", "working", "responsible", "currently",
  "excited", "considering", "evaluating", "comparing", "thinking", "available", "done", "from",
  "at", "with", "in", "on", "for", "of", "your", "our", "my", "their", "this", "that", "it",
  "hi", "hello", "hey", "thanks", "yes", "no", "please", "busy", "confused", "stuck", "unsure",
  "afraid", "aware", "familiar", "speaking", "using", "building", "running",
  "managing", "leading", "launching", "struggling", "frustrated", "impressed", "concerned",
  "all", "about", "after", "gonna", "there", "getting", "having", "doing", "someone",
  "somebody", "nobody", "everyone", "me", "i", "we", "you", "he", "she", "they", "who", "what",
  "if", "when", "because", "bot", "human", "ai", "robot", "english", "french", "german",
  "spanish", "allowed", "able", "unable", "bored", "tired", "mr", "mrs", "ms", "dr", "sir",
  "amazing", "awesome", "perfect", "helpful", "exactly", "urgent", "important", "interesting",
  "cool", "nice", "exciting", "weird", "strange", "expensive", "cheap", "correct", "right", "wrong",
]);

export const PRONOUNS: ReadonlySet<string> = new Set(["i", "we", "you", "he", "she", "they", "it", "me", "us"]);
