import { randomInt } from 'node:crypto';

/** Assigns ids shaped like Alibaba's: 18 digits (`BizId` adds `^0`), unique per sandbox. */
export class AlibabaIds {
  readonly #prefix = String(randomInt(100_000, 1_000_000));
  #counter = 0;

  #next(): string {
    this.#counter += 1;
    return `${this.#prefix}${String(this.#counter).padStart(12, '0')}`;
  }

  /** `900619746936498440^0`: one per 2017-05-25 send request. */
  bizId(): string {
    return `${this.#next()}^0`;
  }

  /** `191921698133637273`: one per 2018-05-01 number. */
  messageId(): string {
    return this.#next();
  }
}
