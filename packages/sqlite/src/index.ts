/** @pipewright/sqlite: public API. */
export {};
