/* biome-ignore-all lint/suspicious/noExplicitAny: a decorator must accept methods of any signature */

/**
 * A method decorator usable in both of TypeScript's decorator worlds: standard TC39 decorators
 * (the default since TypeScript 5) and legacy ones (`experimentalDecorators`, as NestJS uses).
 * The compiler picks the matching signature; a use on a field or accessor is a compile error in
 * the standard world and a clear `InvalidOptionError` in the legacy one.
 */
export interface CeleriacMethodDecorator {
  /** Standard (TC39) decorators. */
  <This, Value extends (this: This, ...args: any[]) => any>(value: Value, context: ClassMethodDecoratorContext<This, Value>): void;
  /** Legacy decorators (`experimentalDecorators: true`). */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
}
