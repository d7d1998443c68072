/** @pipewright/cli: public API. */
export {};
