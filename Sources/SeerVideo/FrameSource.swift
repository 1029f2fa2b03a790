import SeerImage

/// One decoded, sampled video frame.
public struct VideoFrame: Sendable {
    public var image: RGBImage
    /// Presentation time in seconds from the start of the stream.
    public var time: Double
    /// How many frames were decoded before this one (before sampling), from 0. After a seek
    /// the count starts at the keyframe the seek landed on, so use `time` to locate frames.
    public var index: Int

    public init(image: RGBImage, time: Double, index: Int) {
        self.image = image
        self.time = time
        self.index = index
    }
}

/// Frames in presentation order. `nil` means the stream ended; errors mean it cannot go on.
public protocol FrameSource {
    mutating func nextFrame() throws -> VideoFrame?
}

/// Which decoded frames a source hands out.
public enum FrameSampling: Sendable, Equatable {
    /// Every frame.
    case all
    /// The first frame at or after each multiple of 1/fps seconds from the start time.
    case fps(Double)
    /// Every n-th decoded frame from the start time (the first, the n+1-th, …).
    case every(Int)
}

/// Options for opening a video file or stream.
public struct FrameSourceOptions: Sendable {
    public var sampling: FrameSampling = .all
    /// Skip to this time (seconds) before handing out frames: seeks to the keyframe before it
    /// and drops the frames decoded before it.
    public var start: Double = 0
    /// A blocking read that makes no progress for this long (seconds) is abandoned and reported
    /// as a stalled stream. 0 disables the watchdog.
    public var stallTimeout: Double = 10
    /// Scale frames down (keeping the aspect ratio) so that neither side exceeds this; nil keeps
    /// the decoded size.
    public var maxDimension: Int?
    /// Decoder threads; 0 lets FFmpeg choose.
    public var decoderThreads: Int = 0

    public init(sampling: FrameSampling = .all, start: Double = 0, stallTimeout: Double = 10,
                maxDimension: Int? = nil, decoderThreads: Int = 0) {
        self.sampling = sampling
        self.start = start
        self.stallTimeout = stallTimeout
        self.maxDimension = maxDimension
        self.decoderThreads = decoderThreads
    }
}
