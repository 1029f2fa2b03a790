import NIOCore
import NIOHTTPTypes

/// Closes a connection whose next request has not fully arrived (headers and body) within
/// `limit` of the moment the server started waiting for it: when the connection opened, or when
/// the previous request had been read and answered.
///
/// Hummingbird's idle timeout alone does not stop slowloris clients: every body byte counts as
/// activity, so a body trickled one byte at a time holds a connection (and a request task) for
/// as long as the client likes. The request timeout answers such a request with a 503, but the
/// server still reads the rest of the body before the next request; this handler ends that.
/// A request that has been read is never cut off here, however long it takes to answer.
final class RequestReadTimeout: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var timer: Scheduled<Void>?
    /// A request head arrived and its end has not.
    private var readingRequest = false
    private var requestsRead = 0
    private var responsesWritten = 0

    init(limit: Duration) {
        self.limit = TimeAmount(limit)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { restart(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        restart(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingRequest = true
            // Pipelined behind a request still being answered: its clock starts now. Otherwise
            // the clock that started when the server began waiting keeps running (slow headers count).
            if timer == nil { arm(context) }
        case .body:
            break
        case .end:
            readingRequest = false
            requestsRead += 1
            restart(context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responsesWritten += 1
            // Answered before its body finished arriving (413, 503): the body keeps its deadline.
            if !readingRequest { restart(context) }
        }
        context.write(data, promise: promise)
    }

    /// Runs the clock only while the server waits for request bytes: no request is being answered
    /// (all read requests have responses), or a request is part-way in.
    private func restart(_ context: ChannelHandlerContext) {
        cancel()
        if readingRequest || requestsRead <= responsesWritten { arm(context) }
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
            self.timer = nil
            context.close(promise: nil)
        }
    }

    private func cancel() {
        timer?.cancel()
        timer = nil
    }
}
