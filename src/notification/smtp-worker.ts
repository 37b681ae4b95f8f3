/**
 * The worker-thread side of `SmtpWorkerPool`: one pooled `SmtpTransport` per thread, a message in, its
 * outcome out. Composing MIME (nodemailer) and talking SMTP then run beside the thread that holds the
 * database, which with the embedded database is the thread that runs it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SmtpTransport, type OutgoingMessage, type SmtpTransportOptions } from './smtp-transport.ts';

if (parentPort === null) throw new Error('smtp-worker.ts runs as a worker thread');
const port = parentPort;
const transport = new SmtpTransport(workerData as SmtpTransportOptions);
port.on('message', (request: { id: number; message: OutgoingMessage } | { close: true }) => {
  if ('close' in request) {
    transport.close();
    port.close();
    return;
  }
  void transport.send(request.message).then((outcome) => {
    port.postMessage({ id: request.id, outcome });
  });
});
