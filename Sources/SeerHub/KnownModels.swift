/// Model ids known to load in Seer, per architecture (`seer models list --available`).
public struct KnownModel: Sendable {
    public let id: String
    public let architecture: String
    public let summary: String
}

public let knownModels: [KnownModel] = [
    KnownModel(id: "openai/clip-vit-base-patch32", architecture: "CLIP", summary: "ViT-B/32, 224 px, 151 M params, ImageNet zero-shot 63.3%"),
    KnownModel(id: "openai/clip-vit-base-patch16", architecture: "CLIP", summary: "ViT-B/16, 224 px, 150 M params, ImageNet zero-shot 68.3%"),
    KnownModel(id: "openai/clip-vit-large-patch14", architecture: "CLIP", summary: "ViT-L/14, 224 px, 428 M params, ImageNet zero-shot 75.5%"),
    KnownModel(id: "openai/clip-vit-large-patch14-336", architecture: "CLIP", summary: "ViT-L/14, 336 px, 428 M params, ImageNet zero-shot 76.6%"),
    KnownModel(id: "laion/CLIP-ViT-B-32-laion2B-s34B-b79K", architecture: "CLIP", summary: "ViT-B/32 trained on LAION-2B, ImageNet zero-shot 66.6%"),
    KnownModel(id: "laion/CLIP-ViT-L-14-laion2B-s32B-b82K", architecture: "CLIP", summary: "ViT-L/14 trained on LAION-2B, ImageNet zero-shot 75.3%"),
    KnownModel(id: "laion/CLIP-ViT-H-14-laion2B-s32B-b79K", architecture: "CLIP", summary: "ViT-H/14 trained on LAION-2B, ImageNet zero-shot 78.0%"),
]
