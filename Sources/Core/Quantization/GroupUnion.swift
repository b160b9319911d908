/// Groups of activations that must share one range, joined as they are discovered: a
/// tensor can first be placed for a convolution and only later turn out to be an input of
/// a Concat whose inputs share a range. A plain union-find over group numbers.
struct GroupUnion {
    private var parent: [Int] = []

    /// A new group of its own; returns its number.
    mutating func makeGroup() -> Int {
        parent.append(parent.count)
        return parent.count - 1
    }

    /// Makes `a` and `b` one group.
    mutating func join(_ a: Int, _ b: Int) {
        let (rootA, rootB) = (root(of: a), root(of: b))
        if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
    }

    /// The representative of `group`'s group: the smallest number in it.
    func root(of group: Int) -> Int {
        var current = group
        while parent[current] != current { current = parent[current] }
        return current
    }
}
