/**
 * An SMTP server that accepts everything and counts it, run as a child process of the notify benchmark so
 * that the server's work does not share the sender's thread. Prints `port N`; answers each line on stdin
 * with `count MESSAGES BYTES`; exits when stdin closes.
 */
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

let accepted = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 50 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      accepted++;
      callback();
    });
  },
});
// Answers go out at once (no Nagle delay waiting for the client's delayed ACK).
server.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.server.address() as AddressInfo).port}\n`);
});
process.stdin.on('data', () => {
  process.stdout.write(`count ${accepted} ${bytes}\n`);
});
process.stdin.on('end', () => {
  server.close(() => process.exit(0));
});
