// Symbol.asyncDispose for `await using`: Node 20.4+ defines it; on an
// older 20.x, define it the way Node does (Symbol.for('nodejs.asyncDispose')),
// so a handle disposes the same whichever Node created the symbol first.
// Imported for its effect before any class keyed by the symbol is defined.
if (typeof Symbol.asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('nodejs.asyncDispose') });
}

export {};
