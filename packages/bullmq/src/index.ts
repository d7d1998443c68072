/** @pipewright/bullmq: public API. */
export {};
