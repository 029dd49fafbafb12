// Listen on 127.0.0.1 with an ephemeral port; close() also drops keep-alive connections
// so the process can exit.
export function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      const close = () => new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      resolve({ origin, server, close });
    });
  });
}
