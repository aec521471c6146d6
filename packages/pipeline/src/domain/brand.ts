/** A string that has passed a value object's validation; only the parse functions mint one. */
export type Brand<T, Name extends string> = T & { readonly __brand: Name };
