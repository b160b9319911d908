/// The order of colour planes a network expects: the IRs here take RGB, while
/// models converted from Caffe-era frameworks often take BGR.
public enum ChannelOrder: String, Sendable, CaseIterable {
    case rgb
    case bgr
}
