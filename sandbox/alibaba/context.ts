import type { NonceStore } from '../common/nonces.ts';
import type { AlibabaIds } from './ids.ts';
import type { Params } from './params.ts';
import type { Reply } from './replies.ts';
import type { AlibabaCredential, AlibabaMessage } from './types.ts';

/** Everything a request may read or change; owned by one sandbox instance. */
export interface AlibabaState {
  credentials: ReadonlyMap<string, AlibabaCredential>;
  nonces: NonceStore;
  /** One-shot magic numbers that already fired. */
  fired: Set<string>;
  ids: AlibabaIds;
  messages: Map<string, AlibabaMessage>;
  slowMs: number;
}

/** What one API action gets: its parameters, the clock reading, the state. */
export interface ActionContext {
  params: Params;
  now: Date;
  state: AlibabaState;
}

/** An action's answer and the messages it accepted (whose receipts are to follow). */
export interface ActionResult {
  reply: Reply;
  accepted: AlibabaMessage[];
}

/** An API action; parameter checks throw `Refused` with the answer. */
export type Action = (context: ActionContext) => ActionResult;

/** Files the accepted messages; a number repeated in one request gets `#2`, `#3`... */
export function store(state: AlibabaState, accepted: AlibabaMessage[]): void {
  for (const message of accepted) {
    let key = message.key;
    for (let n = 2; state.messages.has(key); n++) key = `${message.key}#${n}`;
    message.key = key;
    state.messages.set(key, message);
  }
}
