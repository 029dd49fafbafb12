// Start and stop node:http servers on the loopback interface, as promises.

/** Listens on 127.0.0.1:{port} (0 = any free port); resolves with the origin. */
export function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(`http://127.0.0.1:${server.address().port}`);
    });
  });
}

/** Stops accepting, drops idle keep-alive connections, resolves once closed. */
export function close(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Browsers keep connections open; don't wait for them to time out.
    server.closeAllConnections();
  });
}
