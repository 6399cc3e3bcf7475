using System.Diagnostics;
using System.Text;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.ModelFiles.ModelFileTestData;

namespace Microsoft.ML.R2DN.Tests.ModelFiles;

public sealed class NpyFormatTests
{
    // Written by NumPy 1.24.2 (np.save, or np.lib.format.write_array for version 2.0) when these tests were written;
    // the suite never runs Python.
    // np.array([[1.5, -2.0, 3.25], [0.0, 1e-300, -7.0]], dtype='<f8')
    private const string Numpy2x3F8 =
        "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73" +
        "652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a000000000000f83f00000000000000c0" +
        "0000000000000a40000000000000000059f3f8c21f6ea5010000000000001cc0";
    // np.array([1.0, -0.5, 3.0], dtype='<f4')
    private const string Numpy3F4 =
        "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73" +
        "652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a0000803f000000bf00004040";
    // 2.5 * np.ones(()): a 0-d array
    private const string NumpyScalar =
        "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73" +
        "652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a0000000000000440";
    // np.arange(4.0).reshape(2, 2), format version 2.0
    private const string NumpyV2 =
        "934e554d50590200740000007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a204661" +
        "6c73652c20277368617065273a2028322c2032292c207d20202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a0000000000000000000000000000f03f" +
        "00000000000000400000000000000840";
    // np.asfortranarray(np.arange(6.0).reshape(2, 3))
    private const string NumpyFortran =
        "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2054727565" +
        "2c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a00000000000000000000000000000840" +
        "000000000000f03f000000000000104000000000000000400000000000001440";
    // np.zeros((0, 3))
    private const string NumpyEmpty =
        "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73" +
        "652c20277368617065273a2028302c2033292c207d202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200a";

    private const long Limit = 1 << 20;

    [Fact]
    public void Write_2x3Float64_MatchesHandComputedBytes()
    {
        var bytes = NpyBytes([2, 3], [1.5, -2.0, 3.25, 0.0, 1e-300, -7.0]);

        const string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        Assert.Equal(59, dict.Length);
        // 10 preamble bytes + 59 + newline = 70; the next multiple of 64 is 128, so 58 spaces and a header of 118
        // (0x76) bytes.
        string header = dict + new string(' ', 58) + "\n";
        var expected = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0x76, 0x00 };
        expected.AddRange(Encoding.ASCII.GetBytes(header));
        foreach (double v in new[] { 1.5, -2.0, 3.25, 0.0, 1e-300, -7.0 }) expected.AddRange(BitConverter.GetBytes(v));

        Assert.Equal(128 + 48, bytes.Length);
        Assert.Equal(expected.ToArray(), bytes);
    }

    [Theory]
    [InlineData(Numpy2x3F8, new[] { 2, 3 }, false, new[] { 1.5, -2.0, 3.25, 0.0, 1e-300, -7.0 })]
    [InlineData(Numpy3F4, new[] { 3 }, true, new[] { 1.0, -0.5, 3.0 })]
    [InlineData(NumpyScalar, new int[0], false, new[] { 2.5 })]
    public void Write_SameArrayAsNumpy_IsByteIdentical(string numpyHex, int[] shape, bool float32, double[] data)
    {
        // NumPy pads the header with room to grow the first axis, which for these shapes lands on the same 128 bytes.
        var type = float32 ? NpyElementType.Float32 : NpyElementType.Float64;
        Assert.Equal(Hex(numpyHex), NpyBytes(shape, data, type));
    }

    [Fact]
    public void Read_FilesWrittenByNumpy_GiveTheirShapesAndValues()
    {
        var (shape, data) = NpyFormat.Read(Hex(Numpy2x3F8), "a.npy", Limit);
        Assert.Equal([2, 3], shape);
        Assert.Equal([1.5, -2.0, 3.25, 0.0, 1e-300, -7.0], data);

        (shape, data) = NpyFormat.Read(Hex(Numpy3F4), "b.npy", Limit);
        Assert.Equal([3], shape);
        Assert.Equal([1.0, -0.5, 3.0], data);

        (shape, data) = NpyFormat.Read(Hex(NumpyScalar), "c.npy", Limit);
        Assert.Empty(shape);
        Assert.Equal([2.5], data);

        (shape, data) = NpyFormat.Read(Hex(NumpyV2), "d.npy", Limit);
        Assert.Equal([2, 2], shape);
        Assert.Equal([0.0, 1.0, 2.0, 3.0], data);

        (shape, data) = NpyFormat.Read(Hex(NumpyEmpty), "e.npy", Limit);
        Assert.Equal([0, 3], shape);
        Assert.Empty(data);
    }

    [Fact]
    public void Read_FortranOrderFromNumpy_Throws()
    {
        var e = Assert.Throws<FormatException>(() => NpyFormat.Read(Hex(NumpyFortran), "f.npy", Limit));
        Assert.Contains("'f.npy'", e.Message);
        Assert.Contains("Fortran", e.Message);
    }

    public static TheoryData<int[]> Shapes => new(
        [], [1], [0], [5], [2, 3], [0, 3], [3, 0], [2, 3, 4], [1, 1, 1, 1, 1, 1, 1], [7, 1, 2], [1000]);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WriteThenRead_AnyShape_RoundTripsAndAlignsData(int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var rng = new Random(20240611 + n);
        var data = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2e3 - 1e3).ToArray();
        data = data.Length > 1 ? [.. data[..^2], double.Epsilon, -0.0] : data;

        var bytes = NpyBytes(shape, data);
        Assert.Equal(0, (bytes.Length - n * 8) % NpyFormat.Alignment);
        Assert.Equal((byte)'\n', bytes[bytes.Length - n * 8 - 1]);
        var (shape2, data2) = NpyFormat.Read(bytes, "x.npy", Limit);
        Assert.Equal(shape, shape2);
        Assert.Equal(data.Select(BitConverter.DoubleToInt64Bits), data2.Select(BitConverter.DoubleToInt64Bits));

        var bytes32 = NpyBytes(shape, data, NpyElementType.Float32);
        Assert.Equal(0, (bytes32.Length - n * 4) % NpyFormat.Alignment);
        var (shape3, data3) = NpyFormat.Read(bytes32, "x.npy", Limit);
        Assert.Equal(shape, shape3);
        Assert.Equal(data.Select(v => (double)(float)v), data3);

        var (shape4, data4) = NpyFormat.Read(new MemoryStream(bytes), "x.npy", Limit);
        Assert.Equal(shape, shape4);
        Assert.Equal(data, data4);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, 5)]
    [InlineData(new int[0], 0)]
    [InlineData(new[] { -1 }, 0)]
    public void Write_ShapeNotMatchingData_Throws(int[] shape, int length)
    {
        Assert.Throws<ArgumentException>(() => NpyBytes(shape, new double[length]));
    }

    [Fact]
    public void Read_Python2LongSuffixAndDoubleQuotesAndExtraSpaces_AreAccepted()
    {
        var file = NpyWithHeader("{ \"descr\" : '<f8' , 'shape':(2L,1L) ,'fortran_order':False }",
                                 BitConverter.GetBytes(1.0).Concat(BitConverter.GetBytes(2.0)).ToArray());
        var (shape, data) = NpyFormat.Read(file, "p.npy", Limit);
        Assert.Equal([2, 1], shape);
        Assert.Equal([1.0, 2.0], data);
    }

    private static readonly byte[] SixDoubles = new byte[48];

    public static TheoryData<string, string> BadHeaders => new()
    {
        { "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", "'>f8'" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", "'<i8'" },
        { "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", "not supported" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", "Fortran" },
        { "{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }", "True or False" },
        { "{'descr': '<f8', 'fortran_order': False, }", "no 'shape'" },
        { "{'descr': '<f8', 'shape': (2, 3), }", "no 'fortran_order'" },
        { "{'fortran_order': False, 'shape': (2, 3), }", "no 'descr'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 1, }", "unexpected key 'extra'" },
        { "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", "twice" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }", "negative" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2.5, 3), }", "expected ','" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (6), }", "single dimension" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3], }", "tuple" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 1), }", "larger than" },
        { "{'descr': __import__('os').system('rm -rf /'), 'fortran_order': False, 'shape': (2, 3), }",
         "must be a string" },
        { "{'descr': '<f\\x38', 'fortran_order': False, 'shape': (2, 3), }", "escape" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } trailing", "after the header" },
        { "('descr', '<f8')", "expected '{'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), ", "expected a quoted string" },
        { "{'descr: '<f8', 'fortran_order': False, 'shape': (2, 3)}", "expected ':'" },
        { "", "expected '{'" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Read_BadHeader_ThrowsFormatExceptionNamingTheEntry(string dict, string expectedInMessage)
    {
        var e = Assert.Throws<FormatException>(() => NpyFormat.Read(NpyWithHeader(dict, SixDoubles), "parameters/W.npy",
                                                                    Limit));
        Assert.StartsWith("'parameters/W.npy' is not a valid .npy array: ", e.Message);
        Assert.Contains(expectedInMessage, e.Message);
    }

    [Fact]
    public void Read_BadPreamble_Throws()
    {
        var good = Npy(2, 3);
        void Fails(byte[] file, string expected)
        {
            var e = Assert.Throws<FormatException>(() => NpyFormat.Read(file, "m.npy", Limit));
            Assert.Contains("'m.npy'", e.Message);
            Assert.Contains(expected, e.Message);
        }

        Fails([], "magic");
        Fails(good[..9], "magic");
        Fails([.. "PK"u8, .. good[2..]], "magic");
        var v3 = (byte[])good.Clone(); v3[6] = 3; Fails(v3, "version 3.0");
        var v11 = (byte[])good.Clone(); v11[7] = 1; Fails(v11, "version 1.1");
        var longHeader = (byte[])good.Clone(); longHeader[8] = 0xFF; longHeader[9] = 0x7F;
        Fails(longHeader, "ends inside the header");
        var v2Huge = NpyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new byte[8], major: 2);
        v2Huge[8] = 0; v2Huge[9] = 0; v2Huge[10] = 0x10; v2Huge[11] = 0; Fails(v2Huge, "more than the 65536 accepted");
        var nonAscii = (byte[])good.Clone(); nonAscii[20] = 0xE9; Fails(nonAscii, "not printable ASCII");
        var nul = (byte[])good.Clone(); nul[40] = 0; Fails(nul, "not printable ASCII");
    }

    [Fact]
    public void Read_DataLengthNotMatchingShape_Throws()
    {
        var good = Npy(2, 3);
        var e = Assert.Throws<FormatException>(() => NpyFormat.Read(good[..^1], "t.npy", Limit));
        Assert.Contains("shape (2, 3)", e.Message);
        Assert.Contains("47 bytes", e.Message);
        Assert.Throws<FormatException>(() => NpyFormat.Read([.. good, 0], "t.npy", Limit));
        Assert.Throws<FormatException>(() => NpyFormat.Read(good[..^48], "t.npy", Limit));
        // A float32 header over float64 data holds twice the values it declares.
        var f4 = NpyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", SixDoubles);
        Assert.Throws<FormatException>(() => NpyFormat.Read(f4, "t.npy", Limit));
    }

    [Fact]
    public void Read_AbsurdDeclaredShape_ThrowsFastWithoutAllocating()
    {
        var huge = NpyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }", []);
        var justUnderLimit =
            NpyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", new byte[16]);
        NpyFormat.Read(Npy(2), "warm-up.npy", Limit);

        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e1 = Assert.Throws<FormatException>(() => NpyFormat.Read(huge, "huge.npy", long.MaxValue));
        var e2 = Assert.Throws<FormatException>(() => NpyFormat.Read(huge, "huge.npy", Limit));
        var e3 = Assert.Throws<FormatException>(() => NpyFormat.Read(justUnderLimit, "big.npy", 2_000_000_000));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
        Assert.Contains("holds 0 bytes of data", e1.Message);
        Assert.Contains($"more than the {Limit} elements accepted", e2.Message);
        Assert.Contains("holds 16 bytes of data", e3.Message);
    }

    [Fact]
    public void Read_MoreElementsThanTheLimit_Throws()
    {
        var file = Npy(10, 10);
        Assert.Equal([10, 10], NpyFormat.Read(file, "l.npy", 100).Shape);
        var e = Assert.Throws<FormatException>(() => NpyFormat.Read(file, "l.npy", 99));
        Assert.Contains("more than the 99 elements accepted", e.Message);
        Assert.Throws<FormatException>(() => NpyFormat.Read(new MemoryStream(file), "l.npy", 50));
    }

    [Fact]
    public void Read_StreamLongerThanTheLimitAllows_StopsReading()
    {
        var stream = new MemoryStream(new byte[10 << 20]);
        var e = Assert.Throws<FormatException>(() => NpyFormat.Read(stream, "s.npy", 1000));
        Assert.Contains("larger than", e.Message);
        Assert.True(stream.Position < 1 << 20, $"read {stream.Position} bytes");
    }

    [Fact]
    public void FormatShape_WritesPythonTuples()
    {
        Assert.Equal("()", NpyFormat.FormatShape([]));
        Assert.Equal("(3,)", NpyFormat.FormatShape([3]));
        Assert.Equal("(2, 3, 4)", NpyFormat.FormatShape([2, 3, 4]));
    }
}
