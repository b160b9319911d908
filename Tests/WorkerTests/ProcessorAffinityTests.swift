import Testing
import Worker

/// CPU groups for workers on one machine, and the lists users read and write.
struct ProcessorAffinityTests {
    @Test func cpusAreSplitIntoContiguousGroupsOrSharedInTurn() {
        #expect(ProcessorAffinity.groups(of: [0, 1], count: 2) == [[0], [1]])
        #expect(ProcessorAffinity.groups(of: [0, 1, 2, 3, 4], count: 2) == [[0, 1, 2], [3, 4]])
        #expect(ProcessorAffinity.groups(of: [2, 3, 6, 7], count: 1) == [[2, 3, 6, 7]])
        #expect(ProcessorAffinity.groups(of: [0, 1], count: 5) == [[0], [1], [0], [1], [0]])
        #expect(ProcessorAffinity.groups(of: [0, 1], count: 0).isEmpty)
    }

    @Test func listsAreWrittenAsLinuxWritesThem() {
        #expect(ProcessorAffinity.describe([3, 0, 1, 2, 8, 10, 11]) == "0-3,8,10-11")
        #expect(ProcessorAffinity.describe([5]) == "5")
        #expect(ProcessorAffinity.describe([]) == "")
    }

    @Test func thisProcessMayRunOnSomeCPUs() {
        let allowed = ProcessorAffinity.allowed()
        #expect(!allowed.isEmpty && allowed == allowed.sorted())
        // A CPU this process may not use is refused, and nothing changes.
        let absent = (0..<1024).first { !allowed.contains($0) }!
        #expect(throws: ProcessorAffinity.RefusedSet.self) { try ProcessorAffinity.restrict(to: [allowed[0], absent]) }
        #expect(ProcessorAffinity.allowed() == allowed)
    }
}
