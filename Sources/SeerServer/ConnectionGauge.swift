import NIOCore
import NIOHTTPTypes

/// Counts the open client connections for `/metrics` (`seer_http_connections_open`): one added
/// per connection, counted once from when the connection is active until it closes.
final class ConnectionGauge: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let metrics: Metrics
    private var counted = false

    init(metrics: Metrics) {
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { opened() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closed()
    }

    func channelActive(context: ChannelHandlerContext) {
        opened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed()
        context.fireChannelInactive()
    }

    private func opened() {
        guard !counted else { return }
        counted = true
        metrics.connectionOpened()
    }

    private func closed() {
        guard counted else { return }
        counted = false
        metrics.connectionClosed()
    }
}
