// Types for the aws-kcl package (it publishes none): the parts lesson 04 uses.
declare module "aws-kcl" {
  export interface KclRecord {
    /** base64 of the record's data */
    data: string;
    partitionKey: string;
    sequenceNumber: string;
    subSequenceNumber?: number;
    approximateArrivalTimestamp?: number;
  }
  export interface Checkpointer {
    /** Checkpoint at a sequence number, or after the last record delivered when omitted. */
    checkpoint(
      sequenceNumber: string | null | undefined,
      callback: (error: unknown, sequenceNumber?: string) => void,
    ): void;
    checkpoint(callback: (error: unknown, sequenceNumber?: string) => void): void;
  }
  export interface RecordProcessor {
    initialize(input: { shardId: string; sequenceNumber?: string; subSequenceNumber?: number }, done: () => void): void;
    processRecords(
      input: { records: KclRecord[]; checkpointer: Checkpointer; millisBehindLatest?: number },
      done: () => void,
    ): void;
    leaseLost(input: Record<string, never>, done: () => void): void;
    shardEnded(input: { checkpointer: Checkpointer }, done: () => void): void;
    shutdownRequested?(input: { checkpointer: Checkpointer }, done: () => void): void;
  }
  interface KclProcess {
    run(): void;
  }
  function kcl(
    processor: RecordProcessor,
    input?: NodeJS.ReadableStream,
    output?: NodeJS.WritableStream,
    error?: NodeJS.WritableStream,
  ): KclProcess;
  export default kcl;
}
