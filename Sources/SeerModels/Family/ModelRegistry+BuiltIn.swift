/// The families Seer ships. A new family adds its `ModelFamily` here and nothing else changes.
let builtInFamilies: [ModelFamily] = [
    CLIP.family,
    DINOv2.family,
    SigLIP.family,
    SAM.family,
    OWL.family,
]
