// The worker thread's entry (see worker-thread.ts): plain JavaScript that
// registers tsx's loader in this thread, then loads the TypeScript main. A
// thread does not reliably inherit loader hooks from --import on Node 20.
import { register } from "tsx/esm/api";

register();
await import("./worker-thread-main.ts");
