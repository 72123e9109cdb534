/**
 * The shipper's own counters: printed by `--stats` (from state_dir/stats.json, which the
 * running shipper refreshes) and in a periodic log line.
 */

export class Metrics {
  /** Complete lines read from every source. */
  linesRead = 0;
  /** Lines written to the spool (every line goes through it before it is sent). */
  linesSpooled = 0;
  /** Lines in batches sent at least once. */
  linesSent = 0;
  /** Lines the Worker acknowledged. */
  linesAcked = 0;
  /** Lines in batches the Worker refused with a 4xx (set aside in state_dir/rejected). */
  linesRejected = 0;
  /** The Worker's own `accepted` counts, summed. */
  workerAccepted = 0;
  batchesSent = 0;
  batchesAcked = 0;
  batchesRejected = 0;
  /** Acknowledged as already counted: re-sent after an acknowledgement was lost. */
  batchesDuplicate = 0;
  /** Failed attempts that will be tried again (5xx, 429, network errors, timeouts). */
  retries = 0;
  /** Lines cut because they were longer than max_line_bytes. */
  linesTruncated = 0;
  bytesSent = 0;
  /** Times reading stopped because the spool was full. */
  backpressureEvents = 0;
  /** Gauges. */
  spoolBatches = 0;
  spoolBytes = 0;
  spoolLines = 0;
  filesOpen = 0;
  readingPaused = false;

  snapshot(): Record<string, number | boolean> {
    return {
      lines_read: this.linesRead,
      lines_spooled: this.linesSpooled,
      lines_sent: this.linesSent,
      lines_acked: this.linesAcked,
      lines_rejected: this.linesRejected,
      lines_truncated: this.linesTruncated,
      worker_accepted: this.workerAccepted,
      batches_sent: this.batchesSent,
      batches_acked: this.batchesAcked,
      batches_rejected: this.batchesRejected,
      batches_duplicate: this.batchesDuplicate,
      retries: this.retries,
      bytes_sent: this.bytesSent,
      backpressure_events: this.backpressureEvents,
      spool_batches: this.spoolBatches,
      spool_bytes: this.spoolBytes,
      spool_lines: this.spoolLines,
      files_open: this.filesOpen,
      reading_paused: this.readingPaused,
    };
  }
}
