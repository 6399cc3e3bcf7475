Console.WriteLine("f16");
