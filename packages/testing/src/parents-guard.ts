import { TestingError } from './errors';

/**
 * Names a reader may ask any object for without meaning a parent: promise checks (`await`),
 * JSON, and what test frameworks probe when they print or compare a value.
 */
const INTROSPECTION = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'tagName', 'constructor']);

/** What the step under test may read from `ctx.parents`. */
export interface ParentsPlan {
  readonly step: string;
  /** Every parent the step declares (explicit and implied by references). */
  readonly declared: readonly string[];
  /** The parents the test gave outputs for. */
  readonly given: ReadonlySet<string>;
  /** Told of the first bad read, so the run can stop at once instead of retrying it. */
  readonly onBadRead: (error: TestingError) => void;
}

/**
 * Wraps the parents' outputs so that reading one the test did not give, or one that is not a
 * parent at all, throws a `TestingError` naming the step and the parent. The step would
 * otherwise read `undefined` and fail somewhere far from the cause.
 */
export const guardParents = (outputs: Readonly<Record<string, unknown>>, plan: ParentsPlan): Readonly<Record<string, unknown>> => {
  const declared = new Set(plan.declared);
  return new Proxy(outputs, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !INTROSPECTION.has(key) && !key.startsWith('@@')) {
        if (declared.has(key) && !plan.given.has(key)) throw fail(plan, missingParent(plan.step, key));
        if (!declared.has(key)) throw fail(plan, undeclaredParent(plan.step, key, plan.declared));
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
};

const fail = (plan: ParentsPlan, error: TestingError): TestingError => {
  plan.onBadRead(error);
  return error;
};

/** `MISSING_PARENT`: the step reads a parent whose output the test did not give. */
export const missingParent = (step: string, parent: string, how = `ctx.parents.${parent}`): TestingError =>
  new TestingError(
    'MISSING_PARENT',
    `Step '${step}' reads ${how}, but the test gave no output for parent '${parent}': add it to testStep's parents.`,
    { step, parent },
  );

const undeclaredParent = (step: string, parent: string, declared: readonly string[]): TestingError =>
  new TestingError(
    'UNDECLARED_PARENT',
    `Step '${step}' reads ctx.parents.${parent}, but '${parent}' is not one of its parents ` +
      `(${declared.length > 0 ? declared.join(', ') : 'it has none'}): in a run it would read undefined.`,
    { step, parent },
  );
