//! The accept side: binding a listener with an explicit backlog, and the accept loop of one
//! listener (plain or TLS). The loop backs off exponentially when `accept` fails (as when
//! the process is out of file descriptors), enforces `Config::max_connections`, applies the
//! `refuse_connections` fault, runs the TLS handshake with a time limit, and spawns one
//! tracked task per connection (`connection.rs`). It ends when the controller stops, which
//! drops the listener.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::server::{Inner, StartError, lock};

/// Longest wait for a client's TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// First wait after a failed `accept`; it doubles with each failure in a row.
const BACKOFF_START: Duration = Duration::from_millis(1);
/// Longest wait after a failed `accept`.
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Binds `addr` with a listen queue of `backlog` connections, setting `SO_REUSEADDR` on
/// Unix as the standard library's `TcpListener::bind` does.
///
/// # Errors
///
/// [`StartError::Bind`] naming the address.
pub(crate) fn bind(addr: SocketAddr, backlog: u32) -> Result<TcpListener, StartError> {
    let error = |source| StartError::Bind { addr, source };
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(error)?;
    #[cfg(unix)]
    socket.set_reuseaddr(true).map_err(error)?;
    socket.bind(addr).map_err(error)?;
    socket.listen(backlog).map_err(error)
}

/// Accepts connections until the controller stops.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    inner: Arc<Inner>,
) {
    let mut backoff = Duration::ZERO;
    loop {
        let accepted = tokio::select! {
            biased;
            _ = inner.stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((socket, peer)) => {
                backoff = Duration::ZERO;
                admit(socket, peer, tls.clone(), &inner);
            }
            Err(e) => {
                backoff = (backoff * 2).clamp(BACKOFF_START, BACKOFF_MAX);
                tracing::warn!("accept failed: {e}; next try in {backoff:?}");
                tokio::select! {
                    _ = inner.stop.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
            }
        }
    }
}

/// Serves an accepted socket in a task of its own, or closes it at once (connection limit,
/// refused by fault injection).
fn admit(socket: TcpStream, peer: SocketAddr, tls: Option<TlsAcceptor>, inner: &Arc<Inner>) {
    if lock(&inner.shared).faults.refuse_connections {
        tracing::info!(%peer, "refusing connection (fault injection)");
        return;
    }
    let Ok(permit) = inner.permits.clone().try_acquire_owned() else {
        tracing::warn!(
            %peer,
            limit = inner.config.max_connections,
            "connection limit reached: closing the new connection"
        );
        return;
    };
    let id = crate::connection::next_id();
    if let Err(e) = socket.set_nodelay(true) {
        tracing::warn!(connection = id, "TCP_NODELAY: {e}");
    }
    tracing::debug!(connection = id, %peer, tls = tls.is_some(), "accepted");
    let inner = inner.clone();
    let tracker = inner.tracker.clone();
    // Two kinds of task: a plain connection's does not carry the room of a TLS session.
    let Some(acceptor) = tls else {
        tracker.spawn(crate::connection::serve(
            inner,
            id,
            Some(peer),
            socket,
            permit,
        ));
        return;
    };
    tracker.spawn(async move {
        let handshake = tokio::select! {
            _ = inner.stop.cancelled() => return,
            handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(socket)) => handshake,
        };
        match handshake {
            Ok(Ok(stream)) => crate::connection::serve(inner, id, Some(peer), stream, permit).await,
            Ok(Err(e)) => tracing::warn!(connection = id, %peer, "TLS handshake failed: {e}"),
            Err(_) => tracing::warn!(
                connection = id,
                %peer,
                "TLS handshake not done within {TLS_HANDSHAKE_TIMEOUT:?}"
            ),
        }
    });
}
