/// Prepares an item's picture for the screen: fitted to the renderer's resolution, blurred
/// unless revealed, grey unless colour was chosen. A blurred picture holds no detail worth
/// sending, so it is made at most `blurredSide` pixels long and the terminal enlarges it.
public struct PictureComposer: Sendable {
    /// 1 (slight) to 10 (strong): the blur radius is this many half-percent of the picture's
    /// longest side, applied three times (close to a Gaussian).
    public var blurStrength: Int
    public static let blurredSide = 192

    public init(blurStrength: Int = 6) {
        self.blurStrength = min(10, max(1, blurStrength))
    }

    public func compose(_ preview: Raster, for renderer: any PictureRenderer, in area: CellArea, revealed: Bool, grey: Bool) -> Raster {
        var target = renderer.pixelSize(of: area)
        if !revealed {
            target = (min(target.width, Self.blurredSide), min(target.height, Self.blurredSide))
        }
        let size = preview.fitting(width: target.width, height: target.height)
        var raster = preview.resized(width: size.width, height: size.height)
        if !revealed { raster = raster.blurred(radius: max(1, max(size.width, size.height) * blurStrength / 200)) }
        if grey { raster = raster.greyed() }
        return raster
    }
}
