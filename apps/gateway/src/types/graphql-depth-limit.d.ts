declare module 'graphql-depth-limit' {
  import type { ValidationRule } from 'graphql';

  /** A validation rule reporting every operation nested deeper than `maxDepth` (the package ships no types). */
  function depthLimit(maxDepth: number, options?: { ignore?: (string | RegExp | ((field: string) => boolean))[] }, callback?: (depths: Record<string, number>) => void): ValidationRule;
  export = depthLimit;
}
