import Foundation

/// `config.json` of an OWL-ViT (`model_type` "owlvit") or OWLv2 ("owlv2") checkpoint, decoded as
/// transformers' OwlViTConfig / Owlv2Config: CLIP's two towers with OWL's defaults for absent
/// fields (configuration_owlvit.py, configuration_owlv2.py: 16 text positions, 768-px images,
/// patch 32 for OWL-ViT and 16 for OWLv2).
public struct OWLConfig: Sendable, Equatable {
    public var version: OWLVersion
    public var text: CLIPTextConfig
    public var vision: CLIPVisionConfig
    public var projectionDim: Int

    public init(contentsOf url: URL, version: OWLVersion) throws {
        let decoded = try ModelConfigFile.decode(Decoded.self, from: url)
        self.version = version
        text = decoded.text
        vision = decoded.vision
        projectionDim = decoded.projectionDim
        // The default vision patch differs between the two versions; a file without one takes its version's.
        if !decoded.hasPatchSize { vision.patchSize = version == .v1 ? 32 : 16 }
        guard vision.imageSize % vision.patchSize == 0 else {
            throw ModelError.invalidConfig("\(url.path): vision_config image_size \(vision.imageSize) is not a multiple of patch_size \(vision.patchSize)")
        }
        // The class head compares patch embeddings projected to the text width with text
        // embeddings projected to projection_dim: they must be one size.
        guard projectionDim == text.hiddenSize else {
            throw ModelError.invalidConfig("\(url.path): projection_dim \(projectionDim) differs from text_config hidden_size \(text.hiddenSize); OWL's class head needs them equal")
        }
    }

    static var textDefaults: CLIPTextConfig {
        var c = CLIPTextConfig()
        c.maxPositionEmbeddings = 16
        return c
    }

    static var visionDefaults: CLIPVisionConfig {
        var c = CLIPVisionConfig()
        c.imageSize = 768
        return c
    }

    /// The patch grid's side: boxes per side.
    public var patchesPerSide: Int { vision.patchesPerSide }

    private struct Decoded: Decodable {
        var text: CLIPTextConfig
        var vision: CLIPVisionConfig
        var projectionDim: Int
        var hasPatchSize: Bool

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: ConfigKey.self)
            text = c.has("text_config")
                ? try CLIPTextConfig(from: c.superDecoder(forKey: ConfigKey("text_config")), defaults: OWLConfig.textDefaults)
                : OWLConfig.textDefaults
            vision = c.has("vision_config")
                ? try CLIPVisionConfig(from: c.superDecoder(forKey: ConfigKey("vision_config")), defaults: OWLConfig.visionDefaults)
                : OWLConfig.visionDefaults
            if c.has("vision_config") {
                let v = try c.nestedContainer(keyedBy: ConfigKey.self, forKey: ConfigKey("vision_config"))
                hasPatchSize = v.has("patch_size")
            } else {
                hasPatchSize = false
            }
            projectionDim = try c("projection_dim", or: 512)
        }
    }
}

/// OWL-ViT (v1) or OWLv2: the same towers and heads; v2 adds the objectness head and pads
/// images to a square before resizing.
public enum OWLVersion: String, Sendable, Equatable {
    case v1 = "owlvit"
    case v2 = "owlv2"

    /// The checkpoint's prefix for the towers (`owlvit.vision_model…`, `owlv2.text_model…`).
    var towerPrefix: String { rawValue }
}
