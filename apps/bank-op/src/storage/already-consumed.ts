// What a store says when a one-time entry (code, refresh token, pushed request) it is asked to mark used
// was marked already: the mark is set in one step on the server (Redis HSETNX, SQLite's conditional
// UPDATE), so of two replicas consuming one entry at once exactly one succeeds and the other hears this.
// What it means in OAuth terms is provider/one-time-use.ts's to say.
export class AlreadyConsumed extends Error {
  constructor(
    readonly model: string,
    readonly id: string,
  ) {
    super(`${model} ${id} was consumed already`);
    this.name = 'AlreadyConsumed';
  }
}
