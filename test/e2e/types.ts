import type { StackInfo } from '../stack/types.ts';

/** What the e2e global setup gives tests: the real-node stack, or why it did not start. */
export type E2eContext = { stack: StackInfo } | { skipped: string };

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}
