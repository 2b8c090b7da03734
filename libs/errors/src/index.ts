export { DomainError, ErrorDetail, ErrorKind } from './domain-error';
export * from './errors';
export { ErrorBody, errorBodyOf, internalErrorBody } from './error-response';
export { parseOrThrow, tooDeepAt, validationErrorOf } from './validation';
export { describeError } from './describe-error';
