// Long loops in the training process (cache builds, pooling, evaluation over a large split)
// give the event loop a turn between steps, so that a cancel sent over IPC is heard, and stop
// once it has been.

/** Lets events in; throws the signal's reason once it is aborted. */
export async function yieldOrStop(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
}
