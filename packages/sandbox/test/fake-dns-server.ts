import { createSocket, type Socket } from 'node:dgram';

/**
 * A DNS server on 127.0.0.1 that answers every A query with `address`:
 * enough for a resolver to succeed when it can reach it.
 */
export async function startFakeDnsServer(
  address: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    // Header (12 bytes) then the question: labels up to a zero byte, then QTYPE and QCLASS.
    let end = 12;
    while (end < query.length && query[end] !== 0) end += query[end]! + 1;
    const question = query.subarray(12, end + 5);
    const header = Buffer.from(query.subarray(0, 12));
    header.writeUInt16BE(0x8180, 2); // response, recursion desired and available, no error
    header.writeUInt16BE(1, 4); // one question
    header.writeUInt16BE(1, 6); // one answer
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const answer = Buffer.alloc(16);
    answer.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    answer.writeUInt16BE(1, 2); // type A
    answer.writeUInt16BE(1, 4); // class IN
    answer.writeUInt32BE(60, 6); // TTL
    answer.writeUInt16BE(4, 10);
    address.split('.').forEach((part, index) => {
      answer.writeUInt8(Number(part), 12 + index);
    });
    socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
